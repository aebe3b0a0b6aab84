# 2025-03-26 requires batches: one array answer, notifications unanswered,
# initialize refused inside a batch.
> {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
~ ^\{"jsonrpc":"2.0","id":1,"result":\{"protocolVersion":"2025-03-26",
> [{"jsonrpc":"2.0","id":2,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":"b","method":"nope"}, {"jsonrpc":"2.0","id":3,"method":"initialize","params":{}} , 5, {"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}]
< [{"jsonrpc":"2.0","id":2,"result":{}},{"jsonrpc":"2.0","id":"b","error":{"code":-32601,"message":"method not found: nope"}},{"jsonrpc":"2.0","id":3,"error":{"code":-32600,"message":"invalid request: initialize must not be batched"}},{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: expected a JSON object"}},{"jsonrpc":"2.0","id":9007199254740993,"result":{}}]
> []
< {"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: empty batch"}}
# only notifications: nothing at all
> [{"jsonrpc":"2.0","method":"x"},{"jsonrpc":"2.0","method":"y"}]
> {"jsonrpc":"2.0","id":4,"method":"ping"}
< {"jsonrpc":"2.0","id":4,"result":{}}
