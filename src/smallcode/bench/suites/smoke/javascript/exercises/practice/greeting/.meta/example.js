function greet(name) {
  return `Hello, ${name || "stranger"}!`;
}

module.exports = { greet };
