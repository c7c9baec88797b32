package app.threefold;

/** Text given as an identifier (a job id, a snapshot id) does not have that identifier's shape. */
public final class InvalidIdException extends ThreefoldException {

    public InvalidIdException(String message) {
        super(Kind.BAD_REQUEST, message);
    }
}
