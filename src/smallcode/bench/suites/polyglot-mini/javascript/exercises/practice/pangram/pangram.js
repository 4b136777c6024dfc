function isPangram(sentence) {
  throw new Error("Remove this line and implement the function");
}

module.exports = { isPangram };
