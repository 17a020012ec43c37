-- wrk against the WeChat sandbox itself: what a create's two WeChat calls cost without us.
--   wrk ... -- add PREFIX TOKEN TEMPLATE   POST /shop/coupon/add, each request a new coupon PREFIX-N
--   wrk ... -- get ID TOKEN                POST /shop/coupon/get for a stored coupon
-- TEMPLATE is create.lua's coupon, as deploy/bench/wrk.sh's coupon_template prints it.
local mode, name, token, template
local counter = 0
function init(args)
    mode, name, token, template = args[1], args[2], args[3], args[4]
end
function request()
    local headers = { ["Content-Type"] = "application/json" }
    if mode == "add" then
        counter = counter + 1
        return wrk.format("POST", "/shop/coupon/add?access_token=" .. token, headers, string.format(template, name .. "-" .. counter))
    end
    return wrk.format("POST", "/shop/coupon/get?access_token=" .. token, headers, '{"out_coupon_id":"' .. name .. '"}')
end
function response(status, headers, body)
    if not string.find(body, '"errcode":0', 1, true) then error("the sandbox answered " .. body) end
end
