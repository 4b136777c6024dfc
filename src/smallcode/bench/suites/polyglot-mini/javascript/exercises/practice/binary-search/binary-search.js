function find(sortedArray, value) {
  throw new Error("Remove this line and implement the function");
}

module.exports = { find };
