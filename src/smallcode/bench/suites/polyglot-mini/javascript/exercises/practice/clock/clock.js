class Clock {
  constructor(hours, minutes) {
    throw new Error("Remove this line and implement the class");
  }
}

module.exports = { Clock };
