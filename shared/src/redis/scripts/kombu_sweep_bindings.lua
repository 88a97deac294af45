
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local overdue = redis.call(
    'ZRANGEBYSCORE', KEYS[1], '-inf', ms, 'LIMIT', 0, tonumber(ARGV[3]))
for _, exchange in ipairs(overdue) do
    if redis.call('EXISTS', ARGV[2] .. exchange) == 0 then
        redis.call('DEL', ARGV[1] .. exchange)
    end
    redis.call('ZREM', KEYS[1], exchange)
end
return #overdue
