import { codePoints } from "../../common/codePoints.js";
import { ValidationError, type FieldViolation } from "../watchers/errors.js";
import { CloudEventsMode } from "./cloudEvent.js";
import { contentTypeOf, type HttpBody } from "./contentType.js";
import {
  describeProblem,
  parseTemplate,
  renderTemplate,
  templateProblem,
  type ParsedTemplate,
  type TemplateProblem,
} from "./engine.js";
import { headerNameProblem, headerValue } from "./headers.js";
import { PAYLOAD_LIMITS } from "./limits.js";
import type { PayloadContext } from "./payloadContext.js";

/** What a webhook says about its requests besides the URL (a Webhook's spec, design issue 13). */
export interface PayloadSpec {
  /** A Liquid template of the body. Absent: the JSON event. */
  body?: string;
  /** Header name → a Liquid template of its value. */
  headers?: Record<string, string>;
  /** Present: each delivery is a CloudEvents 1.0 event, sent in this mode. */
  cloudEvents?: { mode: CloudEventsMode };
}

/** A PayloadSpec whose templates parsed, ready to render for each delivery. */
export interface CompiledPayload {
  readonly body: ParsedTemplate | undefined;
  readonly headers: readonly (readonly [name: string, value: ParsedTemplate])[];
  readonly cloudEvents: { readonly mode: CloudEventsMode } | undefined;
}

/** What a compiled payload renders to for one delivery. */
export interface RenderedPayload {
  /** Undefined when the payload has no body template: the JSON event goes instead. */
  body: HttpBody | undefined;
  /** Only the webhook's own headers; Standard Webhooks' and CloudEvents' come later. */
  headers: Record<string, string>;
}

/** A template that parsed but failed to render: past a limit, or too large a result. */
export class PayloadRenderError extends Error {
  constructor(
    /** "body" or "headers.<Name>" */
    readonly field: string,
    readonly problem: TemplateProblem,
  ) {
    super(`${field}: ${describeProblem(problem)}`);
    this.name = "PayloadRenderError";
  }
}

const MODES = new Set<string>(Object.values(CloudEventsMode));

/**
 * Everything wrong with a payload spec, one violation per field: a template that does not parse
 * (with its line, column and liquidjs's message), a header name that is no HTTP token or is
 * jobhooks' own, and sizes past PAYLOAD_LIMITS. Empty when the spec may be used.
 */
export function checkPayload(spec: PayloadSpec): FieldViolation[] {
  return compileParts(spec).violations;
}

/** The spec with its templates parsed; throws ValidationError with checkPayload's violations. */
export function compilePayload(spec: PayloadSpec): CompiledPayload {
  const { compiled, violations } = compileParts(spec);
  if (violations.length > 0) throw new ValidationError(violations);
  return compiled;
}

/**
 * Renders the body (typed as JSON when it parses as JSON, else as text) and the header values
 * over `context`. A header that renders empty is left out, so a template may add one only for,
 * say, failed Jobs. Synchronous and pure but for the clock its time limit reads. Throws
 * PayloadRenderError.
 */
export function renderPayload(compiled: CompiledPayload, context: PayloadContext): RenderedPayload {
  const body = compiled.body && renderBody(compiled.body, context);
  const headers: Record<string, string> = {};
  for (const [name, template] of compiled.headers) {
    const value = headerValue(render(`headers.${name}`, template, context));
    if (value !== "") headers[name] = value;
  }
  return { body, headers };
}

function renderBody(template: ParsedTemplate, context: PayloadContext): HttpBody {
  const body = render("body", template, context);
  const bytes = Buffer.byteLength(body);
  if (bytes > PAYLOAD_LIMITS.renderedBodyBytes) {
    throw new PayloadRenderError("body", {
      line: 0,
      column: 0,
      message: `renders to ${bytes} bytes, more than ${PAYLOAD_LIMITS.renderedBodyBytes}`,
    });
  }
  return { body, contentType: contentTypeOf(body) };
}

function render(field: string, template: ParsedTemplate, context: PayloadContext): string {
  try {
    return renderTemplate(template, context);
  } catch (err) {
    throw new PayloadRenderError(field, templateProblem(err));
  }
}

interface Parts {
  compiled: CompiledPayload;
  violations: FieldViolation[];
}

function compileParts(spec: PayloadSpec): Parts {
  const violations: FieldViolation[] = [];
  const add = (field: string, description: string): void => {
    violations.push({ field, description });
  };
  const body =
    spec.body === undefined
      ? undefined
      : compileTemplate(spec.body, PAYLOAD_LIMITS.bodyLength, (d) => add("body", d));
  const entries = Object.entries(spec.headers ?? {});
  if (entries.length > PAYLOAD_LIMITS.headers) {
    add("headers", `at most ${PAYLOAD_LIMITS.headers} headers`);
  }
  const headers = entries.flatMap(([name, source]) => {
    const field = `headers.${name}`;
    const nameProblem = headerNameProblem(name);
    if (nameProblem !== undefined) add(field, nameProblem);
    const template = compileTemplate(source, PAYLOAD_LIMITS.headerValueLength, (d) =>
      add(field, d),
    );
    return template ? [[name, template] as const] : [];
  });
  duplicateNames(entries.map(([name]) => name)).forEach((name) => {
    add(`headers.${name}`, "repeats a header name: names are case-insensitive");
  });
  const mode = spec.cloudEvents?.mode;
  if (spec.cloudEvents && !MODES.has(String(mode))) {
    add("cloudEvents.mode", `must be one of ${[...MODES].join(", ")}`);
  }
  const cloudEvents = spec.cloudEvents && { mode: spec.cloudEvents.mode };
  return { compiled: { body, headers, cloudEvents }, violations };
}

// Sizes first: a template past its limit is not parsed at all.
function compileTemplate(
  source: string,
  maxLength: number,
  problem: (description: string) => void,
): ParsedTemplate | undefined {
  if (codePoints(source) > maxLength) {
    problem(`must be at most ${maxLength} characters`);
    return undefined;
  }
  try {
    return parseTemplate(source);
  } catch (err) {
    problem(`does not parse: ${describeProblem(templateProblem(err))}`);
    return undefined;
  }
}

// The later of two names that differ only in case (HTTP would send both values as one header).
function duplicateNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.filter((name) => {
    const lower = name.toLowerCase();
    if (seen.has(lower)) return true;
    seen.add(lower);
    return false;
  });
}
