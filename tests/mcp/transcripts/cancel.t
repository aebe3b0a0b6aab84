# Cancellation and progress: request 1 reports progress, sees its
# cancellation queued behind it and never answers; request 2's cancellation
# names the string "2", not the integer 2, so it completes with progress.
> {"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
> {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_patterns","arguments":{"query":"tone"},"_meta":{"progressToken":"tok"}}}
~ ^\{"jsonrpc":"2.0","id":0,"result":\{"protocolVersion":"2025-11-25",
< {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"tok","progress":1,"total":2,"message":"base/identity.yaml"}}
> {"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1,"reason":"test"}}
> {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"search_patterns","arguments":{"query":"tone"},"_meta":{"progressToken":7}}}
> {"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"2"}}
> {"jsonrpc":"2.0","id":3,"method":"ping"}
< {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":7,"progress":1,"total":2,"message":"base/identity.yaml"}}
< {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":7,"progress":2,"total":2,"message":"personas/welcome.yaml"}}
< {"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"{\"query\":\"tone\",\"matches\":[{\"file\":\"base/identity.yaml\",\"key\":\"behaviors.communication_style.tone\",\"value\":\"friendly and direct\"}],\"count\":1,\"truncated\":false}"}],"structuredContent":{"query":"tone","matches":[{"file":"base/identity.yaml","key":"behaviors.communication_style.tone","value":"friendly and direct"}],"count":1,"truncated":false}}}
< {"jsonrpc":"2.0","id":3,"result":{}}
