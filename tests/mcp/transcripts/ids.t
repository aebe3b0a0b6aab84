# Ids come back exactly as sent: strings stay strings, 0 stays 0, integers
# past 2^31 and up to 2^53 keep every digit.  Null, boolean and fractional
# ids are refused.
> {"jsonrpc":"2.0","id":0,"method":"ping"}
< {"jsonrpc":"2.0","id":0,"result":{}}
> {"jsonrpc":"2.0","id":"0","method":"ping"}
< {"jsonrpc":"2.0","id":"0","result":{}}
> {"jsonrpc":"2.0","id":2147483649,"method":"ping"}
< {"jsonrpc":"2.0","id":2147483649,"result":{}}
> {"jsonrpc":"2.0","id":4294967297,"method":"ping"}
< {"jsonrpc":"2.0","id":4294967297,"result":{}}
> {"jsonrpc":"2.0","id":9007199254740991,"method":"ping"}
< {"jsonrpc":"2.0","id":9007199254740991,"result":{}}
> {"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}
< {"jsonrpc":"2.0","id":9007199254740993,"result":{}}
> {"jsonrpc":"2.0","id":-5,"method":"ping"}
< {"jsonrpc":"2.0","id":-5,"result":{}}
> {"jsonrpc":"2.0","id":"é-\u00e9","method":"ping"}
< {"jsonrpc":"2.0","id":"é-é","result":{}}
> {"jsonrpc":"2.0","id":null,"method":"ping"}
< {"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: id must be a string or an integer"}}
> {"jsonrpc":"2.0","id":true,"method":"ping"}
< {"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: id must be a string or an integer"}}
> {"jsonrpc":"2.0","id":1.5,"method":"ping"}
< {"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: id must be a string or an integer"}}
# the id is echoed for errors too
> {"jsonrpc":"2.0","id":9007199254740993,"method":"no/such"}
< {"jsonrpc":"2.0","id":9007199254740993,"error":{"code":-32601,"message":"method not found: no/such"}}
