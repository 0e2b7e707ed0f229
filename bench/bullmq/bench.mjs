// BullMQ, producer and worker in one process, no HTTP: the peer Gateway.Bench is compared with.
//   node bench.mjs --redis 127.0.0.1:6379 --mode sync|async --clients 10 --count 10000 --concurrency 50 --rounds 3
// sync: each client adds a job and waits for its result (QueueEvents); async: add all, then await all.
import { Queue, Worker, QueueEvents } from "bullmq";

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
};
const [host, port] = arg("--redis", "127.0.0.1:6379").split(":");
const connection = { host, port: Number(port) };
const mode = arg("--mode", "sync");
const clientCounts = arg("--clients", "10").split(",").map(Number);
const count = Number(arg("--count", "10000"));
const warmup = Number(arg("--warmup", "2000"));
const concurrency = Number(arg("--concurrency", "50"));
const rounds = Number(arg("--rounds", "1"));
const name = `bench-${Date.now()}`;

const queue = new Queue(name, { connection });
const events = new QueueEvents(name, { connection });
const worker = new Worker(name, async (job) => job.data.a + job.data.b, { connection, concurrency });
await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
const options = { removeOnComplete: { age: 3600 }, removeOnFail: { age: 3600 } };

async function sync(clients, n) {
  const latencies = [];
  let next = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    for (let i = next++; i < n; i = next++) {
      const start = performance.now();
      const job = await queue.add("t", { a: i, b: 1 }, options);
      const result = await job.waitUntilFinished(events, 60_000);
      latencies.push(performance.now() - start);
      if (result !== i + 1) throw new Error(`job ${i}: ${result}`);
    }
  }));
  return latencies;
}

async function flood(clients, n) {
  const started = new Map();
  const latencies = [];
  const done = new Promise((resolve) => {
    events.on("completed", ({ jobId }) => {
      const at = started.get(jobId);
      if (at === undefined) return;
      started.delete(jobId);
      latencies.push(performance.now() - at);
      if (latencies.length === n) resolve();
    });
  });
  let next = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    for (let i = next++; i < n; i = next++) {
      const at = performance.now();
      const job = await queue.add("t", { a: i, b: 1 }, options);
      started.set(job.id, at);
    }
  }));
  await done;
  events.removeAllListeners("completed");
  return latencies;
}

const runs = [];
await sync(8, warmup);
for (let round = 1; round <= rounds; round++) {
  for (const clients of clientCounts) {
    const start = performance.now();
    const cpu = process.cpuUsage();
    const latencies = mode === "sync" ? await sync(clients, count) : await flood(clients, count);
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    latencies.sort((a, b) => a - b);
    const p = (q) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] * 1000) / 1000;
    const run = { mode, clients, tasks: count, round, tasksPerSecond: Math.round(count / seconds), latencyMs: { p50: p(0.5), p90: p(0.9), p99: p(0.99), max: p(1) },
      cpuUsPerTask: Math.round((used.user + used.system) / count) };
    runs.push(run);
    console.error(`round ${round}, ${clients} clients: ${run.tasksPerSecond} jobs/s, p50 ${run.latencyMs.p50} ms`);
  }
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const summary = clientCounts.map((clients) => {
  const mine = runs.filter((r) => r.clients === clients);
  return { clients, rounds: mine.length, tasksPerSecond: median(mine.map((r) => r.tasksPerSecond)), p50Ms: median(mine.map((r) => r.latencyMs.p50)), p99Ms: median(mine.map((r) => r.latencyMs.p99)) };
});
console.log(JSON.stringify({ peer: "bullmq", mode, concurrency, summary, runs }, null, 2));
await worker.close();
await events.close();
await queue.obliterate({ force: true });
await queue.close();
