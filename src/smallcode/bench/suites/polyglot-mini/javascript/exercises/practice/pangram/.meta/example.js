function isPangram(sentence) {
  const letters = new Set(sentence.toLowerCase().match(/[a-z]/g) || []);
  return letters.size === 26;
}

module.exports = { isPangram };
