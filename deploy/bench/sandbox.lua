-- wrk against the WeChat sandbox itself: what a create's two WeChat calls cost without us.
--   wrk ... -- add PREFIX TOKEN   POST /shop/coupon/add, each request a new coupon PREFIX-N
--   wrk ... -- get ID TOKEN       POST /shop/coupon/get for a stored coupon
local mode, name, token
local counter = 0
local template = '{"coupon":{"out_coupon_id":"%s","type":104,"promote_type":4,"coupon_info":{"name":"春季立减5元",'
    .. '"promote_info":{"promote_type":4,"finder":{"nickname":"shop-live"}},"discount_info":{"discount_fee":500},'
    .. '"receive_info":{"start_time":1800000000,"end_time":1800086400,"limit_num_one_person":1,"total_num":1000},'
    .. '"valid_info":{"valid_type":2,"valid_day_num":7}}}}'
function init(args)
    mode, name, token = args[1], args[2], args[3]
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
