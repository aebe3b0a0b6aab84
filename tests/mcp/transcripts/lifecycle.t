# Version negotiation: a supported handshake revision is answered with
# itself, anything else with 2025-11-25; capabilities follow the revision.
# ping works before initialize.
> {"jsonrpc":"2.0","id":"p","method":"ping"}
< {"jsonrpc":"2.0","id":"p","result":{}}
> {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
~ ^\{"jsonrpc":"2.0","id":1,"result":\{"protocolVersion":"2024-11-05","capabilities":\{"tools":\{"listChanged":true\},"resources":\{"subscribe":true,"listChanged":true\},"prompts":\{"listChanged":false\},"logging":\{\}\},"serverInfo":\{"name":"helios","version":"0\.[0-9.]+"\},"instructions":"[^"]+"\}\}$
> {"jsonrpc":"2.0","id":2,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
~ ^\{"jsonrpc":"2.0","id":2,"result":\{"protocolVersion":"2025-03-26","capabilities":\{"tools":\{"listChanged":true\},"resources":\{"subscribe":true,"listChanged":true\},"prompts":\{"listChanged":false\},"logging":\{\},"completions":\{\}\},"serverInfo":\{"name":"helios","version":"[0-9.]+"\},
> {"jsonrpc":"2.0","id":3,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
~ ^\{"jsonrpc":"2.0","id":3,"result":\{"protocolVersion":"2025-06-18",.*"completions":\{\}\},"serverInfo":\{"name":"helios","title":"Helios","version":
> {"jsonrpc":"2.0","id":4,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
~ ^\{"jsonrpc":"2.0","id":4,"result":\{"protocolVersion":"2025-11-25",
> {"jsonrpc":"2.0","id":5,"method":"initialize","params":{"protocolVersion":"2099-01-01","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
~ ^\{"jsonrpc":"2.0","id":5,"result":\{"protocolVersion":"2025-11-25",
> {"jsonrpc":"2.0","id":6,"method":"initialize","params":{"protocolVersion":"2026-07-28","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
~ ^\{"jsonrpc":"2.0","id":6,"result":\{"protocolVersion":"2025-11-25",
> {"jsonrpc":"2.0","id":7,"method":"initialize","params":{}}
< {"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"invalid params: protocolVersion must be a string"}}
> {"jsonrpc":"2.0","method":"notifications/initialized"}
> {"jsonrpc":"2.0","id":8,"method":"ping"}
< {"jsonrpc":"2.0","id":8,"result":{}}
# under 2024-11-05 tools carry no title, annotations or outputSchema
> {"jsonrpc":"2.0","id":9,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
~ "id":9,
> {"jsonrpc":"2.0","id":10,"method":"tools/list"}
~ ^\{"jsonrpc":"2.0","id":10,"result":\{"tools":\[\{"name":"get_base_config","description":"[^"]*","inputSchema":\{"type":"object","properties":\{\},"additionalProperties":false\}\},\{"name":"get_active_persona","description"
> {"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"list_personas"}}
< {"jsonrpc":"2.0","id":11,"result":{"content":[{"type":"text","text":"base_importance: 0.7\nwelcome: specialization_level 1, weight 0.7\n"}]}}
