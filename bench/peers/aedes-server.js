// aedes on 127.0.0.1:PORT for bench/compare.sh: `node aedes-server.js PORT`. aedes 1.x builds its broker
// asynchronously (Aedes.createBroker); 0.x exported a factory. Prints one line once it listens.
const { createServer } = require('node:net')
const aedes = require('aedes')

async function main () {
  const port = Number(process.argv[2] || 1883)
  const broker = aedes.Aedes ? await aedes.Aedes.createBroker() : aedes()
  createServer(broker.handle).listen(port, '127.0.0.1', () => console.log(`aedes listening on port ${port}`))
}
main()
