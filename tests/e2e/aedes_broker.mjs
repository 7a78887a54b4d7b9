// A third-party MQTT broker with a WebSocket listener, for the end-to-end tests:
// aedes (npm) behind a `ws` server on 127.0.0.1. Usage:
//   node tests/e2e/aedes_broker.mjs PORT [5.0]
// With `5.0` it runs aedes 2.0.0-beta.1 (npm alias `aedes5`), the first aedes that
// speaks MQTT 5.0; without, aedes 1.2.0, which speaks 3.1.1 only and refuses a 5.0
// CONNECT. Prints `ready PORT` once listening. Any user name and password are accepted
// except the user name `wrong`, which is refused with CONNACK 4 (bad user name or
// password), so a test can show a refusal.
import { createServer } from 'node:http';
import { WebSocketServer, createWebSocketStream } from 'ws';

const port = Number(process.argv[2] ?? 0);
const { Aedes } = await import(process.argv[3] === '5.0' ? 'aedes5' : 'aedes');
const aedes = await Aedes.createBroker();
aedes.authenticate = (client, username, password, callback) => {
  if (username === 'wrong') {
    const error = new Error('bad user name or password');
    error.returnCode = 4;
    callback(error, null);
  } else {
    callback(null, true);
  }
};
const http = createServer();
const wss = new WebSocketServer({
  server: http,
  handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
});
wss.on('connection', (websocket, req) => {
  aedes.handle(createWebSocketStream(websocket), req);
});
http.listen(port, '127.0.0.1', () => {
  console.log(`ready ${http.address().port}`);
});
const stop = () => {
  wss.close();
  aedes.close(() => http.close(() => process.exit(0)));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
