function findAnagrams(word, candidates) {
  throw new Error("Remove this line and implement the function");
}

module.exports = { findAnagrams };
