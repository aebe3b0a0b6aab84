# The reading tools and their error results on a fresh store.
> {"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
~ ^\{"jsonrpc":"2.0","id":0,"result":\{"protocolVersion":"2025-11-25",
> {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_base_config","arguments":{}}}
< {"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"# Helios base identity\n#\n# The traits every persona inherits.  A persona's weight is\n# base_importance / specialization_level^2, so the more specialised\n# a persona is, the less of this file shows through it.\n# Every save is validated and committed to git.\n\nbase_importance: 0.7\n\nbehaviors:\n  communication_style:\n    tone: friendly and direct\n    verbosity: concise\n  problem_solving:\n    approach: understand the problem before proposing a fix\n    steps:\n      - ask what the goal is\n      - try the simplest thing that could work\n      - check the result\n  learning_approach: explain the reasoning, not only the answer\n"}],"structuredContent":{"path":"base/identity.yaml","config":{"base_importance":0.7,"behaviors":{"communication_style":{"tone":"friendly and direct","verbosity":"concise"},"problem_solving":{"approach":"understand the problem before proposing a fix","steps":["ask what the goal is","try the simplest thing that could work","check the result"]},"learning_approach":"explain the reasoning, not only the answer"}}}}}
> {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_active_persona","arguments":{"persona_name":"nobody"}}}
< {"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"persona 'nobody' does not exist; existing personas: welcome"}],"isError":true}}
> {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_active_persona","arguments":{"persona_name":"../etc/passwd"}}}
< {"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"invalid persona name '../etc/passwd': persona name '../etc/passwd' starts with '.' (use 1-64 letters, digits, '-', '_' or '.', not starting with '.')"}],"isError":true}}
> {"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"get_active_persona","arguments":{}}}
< {"jsonrpc":"2.0","id":4,"result":{"content":[{"type":"text","text":"missing required argument 'persona_name'; get_active_persona takes: persona_name"}],"isError":true}}
> {"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"get_active_persona","arguments":{"persona_name":"welcome","x":1}}}
< {"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":"unknown argument 'x'; get_active_persona takes: persona_name"}],"isError":true}}
> {"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"no_such_tool"}}
< {"jsonrpc":"2.0","id":6,"error":{"code":-32602,"message":"unknown tool: no_such_tool"}}
> {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list_personas","arguments":[]}}
< {"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"invalid params: arguments must be an object"}}
> {"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"search_patterns","arguments":{"query":"CONCISE"}}}
< {"jsonrpc":"2.0","id":8,"result":{"content":[{"type":"text","text":"{\"query\":\"CONCISE\",\"matches\":[{\"file\":\"base/identity.yaml\",\"key\":\"behaviors.communication_style.verbosity\",\"value\":\"concise\"}],\"count\":1,\"truncated\":false}"}],"structuredContent":{"query":"CONCISE","matches":[{"file":"base/identity.yaml","key":"behaviors.communication_style.verbosity","value":"concise"}],"count":1,"truncated":false}}}
> {"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"search_patterns","arguments":{"query":"tone","confidence_min":0.5}}}
< {"jsonrpc":"2.0","id":9,"result":{"content":[{"type":"text","text":"{\"query\":\"tone\",\"matches\":[],\"count\":0,\"truncated\":false}"}],"structuredContent":{"query":"tone","matches":[],"count":0,"truncated":false}}}
> {"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"search_patterns","arguments":{"query":""}}}
< {"jsonrpc":"2.0","id":10,"result":{"content":[{"type":"text","text":"query must be a non-empty string"}],"isError":true}}
> {"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"get_snapshot","arguments":{"revision":"HEAD","path":"personas/welcome.yaml"}}}
~ ^\{"jsonrpc":"2\.0","id":11,"result":\{"content":\[\{"type":"text","text":"# The welcome persona: a starting point for your own\.\\n# Copy it to personas/NAME\.yaml and change what you like\.\\n\\nspecialization_level: 1\\n\\nbehaviors:\\n  greeting: Hello, I am your assistant, configured by Helios\.\\n  purpose: show how a persona is laid out\\n"\}\],"structuredContent":\{"revision":"HEAD","commit":"[0-9a-f]{40}","path":"personas/welcome\.yaml","content":"# The welcome persona: a starting point for your own\.\\n# Copy it to personas/NAME\.yaml and change what you like\.\\n\\nspecialization_level: 1\\n\\nbehaviors:\\n  greeting: Hello, I am your assistant, configured by Helios\.\\n  purpose: show how a persona is laid out\\n"\}\}\}
> {"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":"get_snapshot","arguments":{"revision":"nope","path":"personas/welcome.yaml"}}}
< {"jsonrpc":"2.0","id":12,"result":{"content":[{"type":"text","text":"unknown revision 'nope'; get_history lists the commit ids"}],"isError":true}}
> {"jsonrpc":"2.0","id":13,"method":"tools/call","params":{"name":"get_snapshot","arguments":{"revision":"HEAD","path":"../x"}}}
< {"jsonrpc":"2.0","id":13,"result":{"content":[{"type":"text","text":"path must be base/identity.yaml or personas/NAME.yaml"}],"isError":true}}
> {"jsonrpc":"2.0","id":14,"method":"tools/call","params":{"name":"diff","arguments":{"from":"HEAD"}}}
< {"jsonrpc":"2.0","id":14,"result":{"content":[{"type":"text","text":"(no differences)\n"}],"structuredContent":{"from":"HEAD","to":"HEAD","files":[],"diff":""}}}
> {"jsonrpc":"2.0","id":15,"method":"tools/call","params":{"name":"merge_behaviors","arguments":{"persona_name":"ghost"}}}
< {"jsonrpc":"2.0","id":15,"result":{"content":[{"type":"text","text":"persona 'ghost' does not exist; existing personas: welcome"}],"isError":true}}
