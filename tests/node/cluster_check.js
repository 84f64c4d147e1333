// ioredis Cluster against shoal: write and read N keys through the
// cluster client, then check each key is on the shard owning its slot.
// usage: node cluster_check.js PORT N   -> prints "ok N"
const Redis = require("ioredis");
const keySlot = require("cluster-key-slot");

async function main() {
  const port = Number(process.argv[2]);
  const n = Number(process.argv[3] || 10000);
  const cluster = new Redis.Cluster([{ host: "127.0.0.1", port }], {
    enableReadyCheck: true,
    enableAutoPipelining: true,
    redisOptions: { connectTimeout: 5000 },
  });
  // Commands from one tick are pipelined per node (auto-pipelining).
  const idx = [...Array(n).keys()];
  const sets = await Promise.all(idx.map((i) => cluster.set(`io:${i}`, String(i))));
  if (sets.some((r) => r !== "OK")) throw new Error("SET failed");
  const res = await Promise.all(idx.map((i) => cluster.get(`io:${i}`)));
  for (let i = 0; i < n; i++) {
    if (res[i] !== String(i)) throw new Error(`io:${i} read back ${res[i]}`);
  }
  // each key lives only on the node that owns its slot
  let seen = 0;
  for (const node of cluster.nodes("master")) {
    const keys = await node.keys("io:*");
    const slots = await node.cluster("SLOTS");
    seen += keys.length;
    for (const k of keys) {
      const slot = keySlot(k);
      const mine = slots.find(([a, b]) => a <= slot && slot <= b);
      if (!mine || mine[2][1] !== node.options.port) {
        throw new Error(`${k} (slot ${slot}) on port ${node.options.port}`);
      }
    }
  }
  if (seen !== n) throw new Error(`${seen} keys found on the shards`);
  console.log(`ok ${n}`);
  cluster.disconnect();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
