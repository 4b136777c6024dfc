function abbreviate(phrase) {
  throw new Error("Remove this line and implement the function");
}

module.exports = { abbreviate };
