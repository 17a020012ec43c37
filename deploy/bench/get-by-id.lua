-- wrk: GET /api/v1/coupons/bench-N for a random N in 1..COUNT (wrk ... -- COUNT), all stored beforehand.
local count = 10000
function init(args)
    count = tonumber(args[1]) or count
    math.randomseed(os.time())
end
function request()
    return wrk.format("GET", "/api/v1/coupons/bench-" .. math.random(1, count))
end
