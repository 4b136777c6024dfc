function find(sortedArray, value) {
  let lo = 0;
  let hi = sortedArray.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sortedArray[mid] === value) return mid;
    if (sortedArray[mid] < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

module.exports = { find };
