package app.threefold.account;

import app.threefold.ThreefoldException.Kind;
import app.threefold.ThreefoldException;

/** An account operation was refused: the name is taken or invalid, the password too weak, the user unknown. */
public class AccountException extends ThreefoldException {

    public AccountException(String message) {
        super(Kind.REFUSED, message);
    }
}
