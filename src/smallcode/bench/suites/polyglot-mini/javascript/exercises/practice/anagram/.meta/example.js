function key(word) {
  return word.toLowerCase().split("").sort().join("");
}

function findAnagrams(word, candidates) {
  const lower = word.toLowerCase();
  return candidates.filter((c) => c.toLowerCase() !== lower && key(c) === key(word));
}

module.exports = { findAnagrams };
