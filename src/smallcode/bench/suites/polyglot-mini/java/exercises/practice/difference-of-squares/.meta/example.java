public class DifferenceOfSquares {

    public long squareOfSum(int n) {
        long sum = (long) n * (n + 1) / 2;
        return sum * sum;
    }

    public long sumOfSquares(int n) {
        return (long) n * (n + 1) * (2L * n + 1) / 6;
    }

    public long difference(int n) {
        return squareOfSum(n) - sumOfSquares(n);
    }
}
