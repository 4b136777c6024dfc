public class ArmstrongNumbers {

    public boolean isArmstrongNumber(int number) {
        String digits = Integer.toString(number);
        int power = digits.length();
        long sum = 0;
        for (char c : digits.toCharArray()) {
            sum += (long) Math.pow(c - '0', power);
        }
        return sum == number;
    }
}
