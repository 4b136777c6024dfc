function abbreviate(phrase) {
  return phrase
    .split(/[\s-]+/)
    .map((word) => word.replace(/[^A-Za-z']/g, ""))
    .filter((word) => word.length > 0)
    .map((word) => word[0].toUpperCase())
    .join("");
}

module.exports = { abbreviate };
