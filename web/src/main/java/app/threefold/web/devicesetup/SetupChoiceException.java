package app.threefold.web.devicesetup;

import app.threefold.ThreefoldException;

/** The setup form asked for something a script cannot do (a folder outside the home folder, a time that is none); the message says what to change. */
public final class SetupChoiceException extends ThreefoldException {

    SetupChoiceException(String message) {
        super(Kind.BAD_REQUEST, message);
    }
}
