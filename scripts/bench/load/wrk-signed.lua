-- wrk script for `npm run bench` (scripts/bench/load/wrk.ts): every request is a POST of a new,
-- distinct delivery body, signed with the Bracken scheme (Authorization: HMACSHA256 <base64>).
--
--   wrk -t1 -c50 -d4s -s wrk-signed.lua http://127.0.0.1:PORT/webhooks -- <spec file> <first counter>
--
-- The spec file (written by wrk.ts, mode 0600, removed after the run) holds four lines: the secret,
-- and the three fixed parts of a body from bodies.ts (head, middle, tail). A body is
-- head .. N .. middle .. N .. tail with N a 10-digit counter, byte for byte what the Node
-- generator sends. Nothing is inlined here: a script carrying tens of thousands of requests failed
-- to load, and wrk then silently sent plain GETs. Bodies are built per request rather than read
-- from a list, because distinct 64 KiB bodies for a whole run would be gigabytes; the HMAC is
-- computed by OpenSSL, which wrk already links (LuaJIT FFI), at C speed.
--
-- done() prints one line, WRK_RESULT {json}, with wrk's own counts (answered, errors by kind,
-- statuses >= 400), its latency percentiles, and how many requests this script built, so the
-- bench can check that every request answered was one of these signed POSTs.

local ffi = require("ffi")
ffi.cdef [[
typedef struct evp_md_st EVP_MD;
const EVP_MD *EVP_sha256(void);
unsigned char *HMAC(const EVP_MD *evp_md, const void *key, int key_len,
                    const unsigned char *d, size_t n, unsigned char *md, unsigned int *md_len);
]]

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

-- Standard base64 (with padding) of `n` bytes at `bytes`.
local function base64(bytes, n)
  local out = {}
  for i = 0, n - 1, 3 do
    local a, b, c = bytes[i], i + 1 < n and bytes[i + 1] or 0, i + 2 < n and bytes[i + 2] or 0
    local v = a * 65536 + b * 256 + c
    local c1 = math.floor(v / 262144) % 64
    local c2 = math.floor(v / 4096) % 64
    local c3 = math.floor(v / 64) % 64
    local c4 = v % 64
    out[#out + 1] = B64:sub(c1 + 1, c1 + 1) .. B64:sub(c2 + 1, c2 + 1)
      .. (i + 1 < n and B64:sub(c3 + 1, c3 + 1) or "=")
      .. (i + 2 < n and B64:sub(c4 + 1, c4 + 1) or "=")
  end
  return table.concat(out)
end

-- Main state: one entry per thread, to add up what each built.
local threads = {}

-- Each thread counts in its own range, so no two threads build the same body.
function setup(thread)
  thread:set("thread_index", #threads)
  threads[#threads + 1] = thread
end

-- Thread state.
local secret, head, middle, tail
local counter
local headers = { ["Content-Type"] = "application/json" }
local sha256, md, md_len
generated = 0

function init(args)
  local spec = assert(io.open(args[1], "rb"), "cannot open the spec file " .. tostring(args[1]))
  secret = spec:read("*l")
  head = spec:read("*l")
  middle = spec:read("*l")
  tail = spec:read("*l")
  spec:close()
  assert(secret and head and middle and tail, "the spec file needs four lines: secret, head, middle, tail")
  counter = assert(tonumber(args[2]), "the second argument is the first counter") + thread_index * 1000000
  sha256 = ffi.C.EVP_sha256()
  md = ffi.new("unsigned char[32]")
  md_len = ffi.new("unsigned int[1]")
end

function request()
  local digits = tostring(counter)
  counter = counter + 1
  generated = generated + 1
  local body = head .. digits .. middle .. digits .. tail
  ffi.C.HMAC(sha256, secret, #secret, body, #body, md, md_len)
  headers["Authorization"] = "HMACSHA256 " .. base64(md, 32)
  return wrk.format("POST", wrk.path, headers, body)
end

function done(summary, latency, _requests)
  local built = 0
  for _, thread in ipairs(threads) do
    built = built + (thread:get("generated") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationUs":%d,"built":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"p50":%d,"p99":%d,"max":%d,"mean":%.3f}}\n',
    summary.requests, summary.duration, built, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, latency.mean))
end
