class Clock {
  constructor(hours, minutes = 0) {
    const total = (((hours * 60 + minutes) % 1440) + 1440) % 1440;
    this.total = total;
  }

  toString() {
    const h = String(Math.floor(this.total / 60)).padStart(2, "0");
    const m = String(this.total % 60).padStart(2, "0");
    return `${h}:${m}`;
  }

  plus(minutes) {
    return new Clock(0, this.total + minutes);
  }

  minus(minutes) {
    return new Clock(0, this.total - minutes);
  }

  equals(other) {
    return this.total === other.total;
  }
}

module.exports = { Clock };
