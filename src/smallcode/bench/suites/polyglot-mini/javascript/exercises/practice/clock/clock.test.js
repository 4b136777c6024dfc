const test = require("node:test");
const assert = require("node:assert/strict");
const { Clock } = require("./clock.js");

test("on the hour", () => assert.equal(new Clock(8, 0).toString(), "08:00"));
test("hour rolls over", () => assert.equal(new Clock(25, 0).toString(), "01:00"));
test("minutes roll over", () => assert.equal(new Clock(1, 160).toString(), "03:40"));
test("negative minutes", () => assert.equal(new Clock(0, -1).toString(), "23:59"));
test("plus", () => assert.equal(new Clock(23, 30).plus(45).toString(), "00:15"));
test("minus", () => assert.equal(new Clock(0, 10).minus(20).toString(), "23:50"));
test("equals", () => assert.equal(new Clock(15, 37).equals(new Clock(39, 37)), true));
