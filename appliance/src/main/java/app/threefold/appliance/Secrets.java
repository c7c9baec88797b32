package app.threefold.appliance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Passwords given as files (never as flags, which other users can see in the process list). */
final class Secrets {
    private Secrets() {
    }

    static char[] read(Path file, String option) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CommandRefusedException("Cannot read " + option + " " + file + " (" + e + ");"
                    + " create it with the password on its first line.", e);
        }
        String firstLine = content.lines().findFirst().orElse("");
        if (firstLine.isEmpty()) {
            throw new CommandRefusedException(option + " " + file + " is empty; put the password on its first line.");
        }
        return firstLine.toCharArray();
    }
}
