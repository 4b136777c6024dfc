public class ArmstrongNumbers {

    public boolean isArmstrongNumber(int number) {
        throw new UnsupportedOperationException("Delete this statement and write your own implementation.");
    }
}
