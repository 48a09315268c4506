import { expect } from "chai";
import { failedContext } from "../../test/support/payloadFixtures.js";
import { checkPayload, compilePayload, PayloadRenderError, renderPayload } from "./templates.js";

function render(body: string): string {
  return renderPayload(compilePayload({ body }), failedContext()).body?.body ?? "";
}

// What a template could reach beyond its context if the engine let it: prototypes, functions,
// the process, the file system, unbounded time and memory.
describe("payload template sandbox", () => {
  const empty = [
    "{{ job.constructor }}",
    "{{ job.__proto__ }}",
    "{{ job.name.constructor.name }}",
    "{{ job['constructor']['constructor'] }}",
    "{% assign f = job.constructor %}{{ f }}{{ f.name }}",
    "{{ job.name.toString }}",
    "{{ job.labels.hasOwnProperty }}",
    "{{ job.failedPods.constructor }}",
    "{{ job.failedPods[0].constructor.name }}",
    "{{ job.failedPods.map }}",
    "{{ constructor }}",
    "{{ __proto__ }}",
    "{{ process.env }}",
    "{{ globalThis.process }}",
    "{{ require }}",
    "{{ job | map: 'constructor' }}",
  ];
  for (const body of empty) {
    it(`renders nothing for ${body}`, () => expect(render(body)).to.equal(""));
  }

  it("knows only its own filters: calling a method as a filter does not parse", () => {
    for (const filter of ["constructor", "toString", "__proto__", "eval"]) {
      expect(checkPayload({ body: `{{ "x" | ${filter} }}` })).to.deep.equal([
        {
          field: "body",
          description: `does not parse: line 1, column 1: undefined filter: ${filter}`,
        },
      ]);
    }
  });

  it("cannot pollute a prototype nor change the context it renders over", () => {
    const context = failedContext();
    const before = structuredClone(context);
    const attempts = [
      "{% assign __proto__ = job %}{{ name }}",
      '{% capture __proto__ %}{"polluted": 1}{% endcapture %}{{ polluted }}',
      "{% increment __proto__ %}{% increment constructor %}",
      "{% increment job %}{% decrement watcher %}{% assign event = 1 %}",
      "{% assign constructor = 'x' %}{{ job.constructor }}",
    ];
    for (const body of attempts) renderPayload(compilePayload({ body }), context);
    expect(context).to.deep.equal(before);
    expect(({} as Record<string, unknown>)["polluted"]).to.equal(undefined);
    expect(Object.getPrototypeOf({})).to.equal(Object.prototype);
    expect(Object.keys(Object.prototype)).to.deep.equal([]);
  });

  it("keeps increment's counter to one render", () => {
    const compiled = compilePayload({ body: "{% increment n %}{% increment n %}" });
    expect(renderPayload(compiled, failedContext()).body?.body).to.equal("01");
    expect(renderPayload(compiled, failedContext()).body?.body).to.equal("01");
  });

  it("refuses include, render and layout when parsing, before any file could be read", () => {
    const bodies = [
      "{% include '/etc/passwd' %}",
      "{% render 'x' %}",
      "{% layout 'base' %}{% block b %}{% endblock %}",
      "{% include job.name %}",
      "{% liquid\n  render 'x'\n%}",
      "{% if true %}{% include 'constructor' %}{% endif %}",
    ];
    for (const body of bodies) {
      const [violation, ...more] = checkPayload({ body });
      expect(more, body).to.deep.equal([]);
      expect(violation?.description, body).to.match(
        /^does not parse: line \d+, column \d+: "(include|render|layout)" is not allowed: a payload template cannot read other templates$/,
      );
    }
  });

  it("stops a render that runs past its time limit, quickly and with an error", () => {
    const compiled = compilePayload({
      body: "{% for i in (1..100000) %}{% for j in (1..100000) %}{{ j }}{% endfor %}{% endfor %}",
    });
    const started = performance.now();
    expect(() => renderPayload(compiled, failedContext()))
      .to.throw(PayloadRenderError, /^body: line 1, column \d+: template render limit exceeded$/)
      .with.property("field", "body");
    expect(performance.now() - started).to.be.below(1000);
  });

  it("stops a render that would use too much memory, before it does", () => {
    const compiled = compilePayload({ body: "{% for i in (1..5000000) %}x{% endfor %}" });
    const started = performance.now();
    expect(() => renderPayload(compiled, failedContext())).to.throw(
      PayloadRenderError,
      /^body: line 1, column 1: memory alloc limit exceeded$/,
    );
    expect(performance.now() - started).to.be.below(100);
  });

  it("stops header templates too", () => {
    const compiled = compilePayload({
      headers: {
        "X-Loop": "{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}",
      },
    });
    expect(() => renderPayload(compiled, failedContext()))
      .to.throw(PayloadRenderError, /^headers\.X-Loop: .*render limit exceeded$/)
      .with.property("field", "headers.X-Loop");
  });
});
