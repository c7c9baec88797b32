package app.threefold.web.devicesetup;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills the per-OS setup script templates (resources beside this class) with one device's values.
 * Every value is checked or quoted for the script's language here, so a script never runs
 * something that was typed into a form: names and hosts are restricted to safe characters and
 * single-quoted, multi-line content goes into quoted here-documents it cannot end early.
 */
public final class SetupScripts {

    /** Where the script connects and who it logs in as; {@code hostKeys} are OpenSSH public key lines of the NAS. */
    public record Target(String host, int port, String device, List<String> hostKeys) {

        private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:-]{1,253}");

        public Target {
            hostKeys = List.copyOf(hostKeys);
            if (!HOST.matcher(host).matches()) {
                throw new SetupChoiceException("'" + host + "' is not a host name or address a script can use; open the"
                        + " panel by the NAS's name or address.");
            }
            if (hostKeys.isEmpty()) {
                throw new SetupChoiceException("The SFTP server is not running yet, so there is no host key to pin; finish"
                        + " setting up the appliance first.");
            }
        }

        /** The known_hosts lines: {@code [host]:port key} (OpenSSH's form for a port other than 22). */
        public List<String> knownHosts() {
            String name = port == 22 ? host : "[" + host + "]:" + port;
            return hostKeys.stream().map(k -> name + " " + k.strip()).toList();
        }
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Z_]+)}}");
    private static final DateTimeFormatter MADE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private final Map<ClientOs, String> templates = new LinkedHashMap<>();

    public SetupScripts() {
        for (ClientOs os : ClientOs.values()) {
            try (InputStream in = SetupScripts.class.getResourceAsStream(os.template())) {
                if (in == null) {
                    throw new IllegalStateException("the setup script template " + os.template() + " is missing from the build");
                }
                templates.put(os, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The script for {@code choice}, with the device's private key inside. */
    public String script(SetupChoice choice, Target target, String privateKey, Instant made) {
        boolean ps = choice.os().windows();
        Map<String, String> values = new LinkedHashMap<>();
        values.put("HOST", target.host());
        values.put("DEVICE", target.device());
        values.put("MADE", MADE.format(made));
        values.put("HOST_Q", quote(target.host()));
        values.put("DEVICE_Q", quote(target.device()));
        values.put("PORT", Integer.toString(target.port()));
        values.put("HOUR", Integer.toString(choice.at().getHour()));
        values.put("MINUTE", Integer.toString(choice.at().getMinute()));
        values.put("AT_Q", quote(String.format("%02d:%02d", choice.at().getHour(), choice.at().getMinute())));
        values.put("AC_ONLY", choice.acPowerOnly() ? "$true" : "$false");
        values.put("PRIVATE_KEY", block(privateKey.strip(), ps));
        values.put("KNOWN_HOSTS", block(String.join("\n", target.knownHosts()), ps));
        values.put("FILTER", block(choice.filter(), ps));
        String text = templates.get(choice.os());
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            if (v == null) {
                throw new IllegalStateException("the template " + choice.os().template() + " names an unknown value " + m.group());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        // PowerShell on Windows reads a downloaded script best with Windows line ends.
        return ps ? out.toString().replace("\r\n", "\n").replace("\n", "\r\n") : out.toString();
    }

    /** Single quotes in both sh and PowerShell; the values reaching here contain none (checked above). */
    private static String quote(String value) {
        if (value.contains("'")) {
            throw new IllegalArgumentException("a quoted script value may not contain a single quote");
        }
        return "'" + value + "'";
    }

    /**
     * Content of a quoted here-document (sh: up to a THREEFOLD_… line; PowerShell: up to a line
     * starting with '@): a line that would end it early is refused.
     */
    private static String block(String text, boolean powershell) {
        for (String line : text.split("\n", -1)) {
            if (powershell ? line.startsWith("'@") : line.startsWith("THREEFOLD_")) {
                throw new SetupChoiceException("A line of the backup selection, '" + line + "', cannot go into a script;"
                        + " remove it.");
            }
        }
        return text;
    }
}
