-- wrk: POST /api/v1/coupons, each request a new coupon PREFIX-N, each answered STATUS
-- (wrk ... -- PREFIX [STATUS]; 202 by default, 201 when the worker syncs with WeChat).
local prefix = "create"
local expected = 202
local counter = 0
local template = '{"coupon":{"out_coupon_id":"%s","type":104,"promote_type":4,"coupon_info":{"name":"春季立减5元",'
    .. '"promote_info":{"promote_type":4,"finder":{"nickname":"shop-live"}},"discount_info":{"discount_fee":500},'
    .. '"receive_info":{"start_time":1800000000,"end_time":1800086400,"limit_num_one_person":1,"total_num":1000},'
    .. '"valid_info":{"valid_type":2,"valid_day_num":7}}}}'
function init(args)
    prefix = args[1] or prefix
    expected = tonumber(args[2]) or expected
end
function request()
    counter = counter + 1
    -- Headers given here replace wrk's own (-H), so the API key is carried over.
    return wrk.format("POST", "/api/v1/coupons", { ["Content-Type"] = "application/json", ["Authorization"] = wrk.headers["Authorization"] },
        string.format(template, prefix .. "-" .. counter))
end
function response(status)
    if status ~= expected then error("create answered " .. status) end
end
