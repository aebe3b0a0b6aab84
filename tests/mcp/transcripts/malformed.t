# Malformed input: each bad line gets one error and the server goes on.
> {bad json
< {"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error: not a single valid JSON value"}}
# trailing garbage after the value
> {"jsonrpc":"2.0","id":1,"method":"ping"} x
< {"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error: not a single valid JSON value"}}
> {"jsonrpc":"2.0","id":1,"method":"ping"}{"jsonrpc":"2.0","id":2,"method":"ping"}
< {"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error: not a single valid JSON value"}}
# lone surrogates, escaped and encoded, and invalid UTF-8 bytes
> {"jsonrpc":"2.0","id":2,"method":"ping","params":{"s":"\ud800"}}
< {"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error: not a single valid JSON value"}}
> {"jsonrpc":"2.0","id":2,"method":"ping","params":{"s":"\udc00x"}}
< {"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error: not a single valid JSON value"}}
>% {"jsonrpc":"2.0","id":3,"method":"ping","params":{"s":"\xed\xa0\x80"}}
< {"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error: the message is not valid UTF-8"}}
>% {"jsonrpc":"2.0","id":3,"method":"ping","params":{"s":"\xff"}}
< {"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error: the message is not valid UTF-8"}}
>% {"jsonrpc":"2.0","id":3,"method":"ping","params":{"s":"\xc0\xaf"}}
< {"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error: the message is not valid UTF-8"}}
# not requests
> 42
< {"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: expected a JSON object"}}
> {"jsonrpc":"1.0","id":4,"method":"ping"}
< {"jsonrpc":"2.0","id":4,"error":{"code":-32600,"message":"invalid request: jsonrpc must be \"2.0\""}}
> {"id":4,"method":"ping"}
< {"jsonrpc":"2.0","id":4,"error":{"code":-32600,"message":"invalid request: jsonrpc must be \"2.0\""}}
> {"jsonrpc":"2.0","id":5}
< {"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"invalid request: missing method"}}
> {"jsonrpc":"2.0","id":8,"method":7}
< {"jsonrpc":"2.0","id":8,"error":{"code":-32600,"message":"invalid request: method must be a string"}}
> {"jsonrpc":"2.0","id":6,"method":"ping","params":[1]}
< {"jsonrpc":"2.0","id":6,"error":{"code":-32602,"message":"invalid params: params must be an object"}}
> {"jsonrpc":"2.0","id":7,"method":"tools/nope"}
< {"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"method not found: tools/nope"}}
# notifications, known or not, and responses from the client: no answer
> {"jsonrpc":"2.0","method":"nope"}
> {"jsonrpc":"2.0","method":"ping"}
> {"jsonrpc":"2.0","method":"notifications/initialized"}
> {"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":99}}
> {"jsonrpc":"2.0","id":9,"result":{}}
# blank lines carry nothing; CRLF is accepted
> 
>% {"jsonrpc":"2.0","id":10,"method":"ping"}\r
< {"jsonrpc":"2.0","id":10,"result":{}}
# batches are refused outside 2025-03-26
> [{"jsonrpc":"2.0","id":11,"method":"ping"}]
< {"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: batches are accepted only under protocol revision 2025-03-26"}}
# still serving
> {"jsonrpc":"2.0","id":12,"method":"ping"}
< {"jsonrpc":"2.0","id":12,"result":{}}
