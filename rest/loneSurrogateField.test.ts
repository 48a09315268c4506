import { expect } from "chai";
import { loneSurrogateField } from "./loneSurrogateField.js";

describe("loneSurrogateField", () => {
  it("names the field of a lone high or low surrogate, however deep", () => {
    expect(loneSurrogateField(JSON.parse('{"description":"a\\ud800b"}'))).to.equal("description");
    expect(loneSurrogateField(JSON.parse('{"a":[{"b":"x"},{"b":"\\udc00"}]}'))).to.equal("a[1].b");
    expect(loneSurrogateField(JSON.parse('{"x":"end\\ud83d"}'))).to.equal("x");
    expect(loneSurrogateField(JSON.parse('{"\\udfff":1}'))).to.equal("\udfff");
    expect(loneSurrogateField("\ud800")).to.equal("(body)");
  });

  it("accepts surrogate pairs and values without strings", () => {
    expect(loneSurrogateField(JSON.parse('{"d":"\\ud83d\\ude00","n":[1,null,true]}'))).to.equal(
      undefined,
    );
    expect(loneSurrogateField(undefined)).to.equal(undefined);
  });
});
