import type { Liquid, Template } from "liquidjs";
import { lazyModule } from "../../common/lazyModule.js";
import { PAYLOAD_LIMITS } from "./limits.js";

/** A parsed template, ready to render many times. */
export type ParsedTemplate = Template[];

/** Where a template went wrong: 1-based, as an editor shows it; 0 when liquidjs gave none. */
export interface TemplateProblem {
  line: number;
  column: number;
  message: string;
}

// liquidjs is loaded with the first template: most webhooks have none.
const liquidjs = lazyModule<typeof import("liquidjs")>("liquidjs");
let made: Liquid | undefined;
const engine = (): Liquid => (made ??= newEngine());

// Templates see only the context they are given: no files, no other templates, no prototypes.
function newEngine(): Liquid {
  const liquid = new (liquidjs().Liquid)({
    // An empty in-memory file system with no prototype: a lookup cannot reach the disk, nor
    // Object.prototype's members (with a plain {}, `{% render 'constructor' %}` renders
    // "function Object() { [native code] }").
    templates: Object.create(null) as Record<string, string>,
    ownPropertyOnly: true,
    strictFilters: true,
    // Webhook bodies are JSON and text, not HTML: outputs go out as rendered; `| json` quotes.
    outputEscape: undefined,
    // Dates render the same on every replica, whatever its TZ and locale.
    timezoneOffset: 0,
    locale: "en-US",
    // Counted in UTF-16 units: a body of bodyLength code points may take twice as many.
    parseLimit: PAYLOAD_LIMITS.bodyLength * 2,
    renderLimit: PAYLOAD_LIMITS.renderMs,
    memoryLimit: PAYLOAD_LIMITS.renderMemory,
  });
  // include, render and layout read other templates. There are none to read, and refusing them
  // when parsing tells the author at apply time rather than at each delivery.
  for (const name of ["include", "render", "layout"]) {
    liquid.registerTag(name, {
      parse(): void {
        throw new Error(`"${name}" is not allowed: a payload template cannot read other templates`);
      },
      render(): void {},
    });
  }
  return liquid;
}

const parsed = new Map<string, ParsedTemplate>();

/**
 * Parses a template, or returns the one parsed from the same source before (the last
 * PAYLOAD_LIMITS.cachedTemplates sources are kept). Throws liquidjs's error when it does not
 * parse.
 */
export function parseTemplate(source: string): ParsedTemplate {
  const hit = parsed.get(source);
  if (hit) {
    // Map keeps insertion order: re-inserting makes this source the most recently used.
    parsed.delete(source);
    parsed.set(source, hit);
    return hit;
  }
  const template = engine().parse(source);
  if (parsed.size >= PAYLOAD_LIMITS.cachedTemplates) {
    const oldest = parsed.keys().next();
    if (!oldest.done) parsed.delete(oldest.value);
  }
  parsed.set(source, template);
  return template;
}

/**
 * Renders a parsed template over `scope`, synchronously (it runs inside pure decisions). The
 * scope's top level is copied onto an object with no prototype: `{% increment job %}` writes
 * to the scope it renders over, and must change neither the caller's object nor a prototype.
 * Throws liquidjs's error past the time or memory limit.
 */
export function renderTemplate(template: ParsedTemplate, scope: object): string {
  const own = Object.assign(Object.create(null) as object, scope);
  return String(engine().renderSync(template, own));
}

/** What a liquidjs error says, and where; any other error as it is, with no position. */
export function templateProblem(err: unknown): TemplateProblem {
  // No template has been parsed unless liquidjs is loaded: an error then is not one of its.
  if (made === undefined || !liquidjs().LiquidError.is(err)) {
    return { line: 0, column: 0, message: err instanceof Error ? err.message : String(err) };
  }
  const [line = 0, column = 0] = err.token.getPosition();
  // liquidjs appends ", line:1, col:5" (and ", file:…") to its messages; we say it our way.
  const message = err.message.replace(/(, file:.*)?, line:\d+, col:\d+$/, "");
  return { line, column, message };
}

/** "line 2, column 7: undefined filter: bogus" */
export function describeProblem(p: TemplateProblem): string {
  return p.line > 0 ? `line ${p.line}, column ${p.column}: ${p.message}` : p.message;
}
