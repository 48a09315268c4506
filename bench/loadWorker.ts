// The child process of restLoad.loadInChild: runs the load given as JSON in argv[2] until its
// limits or SIGTERM, then prints its figures as JSON.
import { load, type LoadOptions } from "./restLoad.js";

const options = JSON.parse(process.argv[2] ?? "{}") as LoadOptions;
const stopped = new AbortController();
process.once("SIGTERM", () => stopped.abort());
const figures = await load(options, stopped.signal);
process.stdout.write(`${JSON.stringify(figures)}\n`);
