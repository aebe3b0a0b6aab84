# subscriptions/listen (2026-07-28): acknowledged with the honoured filter (tool and prompt list changes are never sent, so they are left out), refused with a bad filter or outside the stateless era, silently ended by notifications/cancelled, and ended with an empty result when the server stops (EOF).
> {"jsonrpc":"2.0","id":"a","method":"subscriptions/listen","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}},"notifications":{"toolsListChanged":true,"promptsListChanged":true,"resourcesListChanged":true,"resourceSubscriptions":["helios://base","helios://merged/welcome"]}}}
< {"jsonrpc":"2.0","method":"notifications/subscriptions/acknowledged","params":{"_meta":{"io.modelcontextprotocol/subscriptionId":"a"},"notifications":{"resourcesListChanged":true,"resourceSubscriptions":["helios://base","helios://merged/welcome"]}}}
> {"jsonrpc":"2.0","id":2,"method":"subscriptions/listen","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"},"notifications":{"resourceSubscriptions":["file:///etc/passwd"]}}}
< {"jsonrpc":"2.0","id":2,"error":{"code":-32602,"message":"invalid params: only helios://base, helios://personas/NAME and helios://merged/NAME can be subscribed"}}
> {"jsonrpc":"2.0","id":3,"method":"subscriptions/listen","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}
< {"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"invalid params: notifications must be an object (the subscription filter)"}}
> {"jsonrpc":"2.0","id":4,"method":"subscriptions/listen","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"},"notifications":{"resourcesListChanged":"yes"}}}
< {"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"invalid params: resourcesListChanged must be a boolean"}}
> {"jsonrpc":"2.0","id":5,"method":"subscriptions/listen","params":{"notifications":{}}}
< {"jsonrpc":"2.0","id":5,"error":{"code":-32601,"message":"method not found: subscriptions/listen (protocol revision 2026-07-28 only)"}}
> {"jsonrpc":"2.0","id":"a","method":"subscriptions/listen","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"},"notifications":{}}}
< {"jsonrpc":"2.0","id":"a","error":{"code":-32600,"message":"invalid request: a listen stream with this id is already open"}}
> {"jsonrpc":"2.0","id":9007199254740993,"method":"subscriptions/listen","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"},"notifications":{}}}
< {"jsonrpc":"2.0","method":"notifications/subscriptions/acknowledged","params":{"_meta":{"io.modelcontextprotocol/subscriptionId":9007199254740993},"notifications":{}}}
# the client ends stream "a": no answer, now or at exit
> {"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"a","reason":"done"}}
> {"jsonrpc":"2.0","id":6,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"},"cursor":"p16"}}
~ ^\{"jsonrpc":"2\.0","id":6,"result":\{"tools":\[\{"name":"commit_changes".*"resultType":"complete"\}\}$
# EOF: the open stream gets its graceful close, with every digit of its id
< {"jsonrpc":"2.0","id":9007199254740993,"result":{"_meta":{"io.modelcontextprotocol/subscriptionId":9007199254740993},"resultType":"complete"}}
