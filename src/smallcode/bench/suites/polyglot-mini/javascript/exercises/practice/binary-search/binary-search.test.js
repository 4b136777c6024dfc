const test = require("node:test");
const assert = require("node:assert/strict");
const { find } = require("./binary-search.js");

test("single element", () => assert.equal(find([6], 6), 0));
test("middle", () => assert.equal(find([1, 3, 4, 6, 8, 9, 11], 6), 3));
test("first", () => assert.equal(find([1, 3, 4, 6, 8, 9, 11], 1), 0));
test("last", () => assert.equal(find([1, 3, 4, 6, 8, 9, 11], 11), 6));
test("missing", () => assert.equal(find([1, 3, 4, 6, 8, 9, 11], 7), -1));
test("empty", () => assert.equal(find([], 1), -1));
test("large array", () => {
  const big = Array.from({ length: 1000 }, (_, i) => i * 2);
  assert.equal(find(big, 1234), 617);
});
