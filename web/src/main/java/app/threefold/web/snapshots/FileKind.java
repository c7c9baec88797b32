package app.threefold.web.snapshots;

import app.threefold.browse.Entry;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What kind of thing a folder entry is, as a file manager shows it with an icon, judged by the
 * entry's type and its name's extension (the listing reads no file content), and whether the
 * panel can preview it.
 */
public enum FileKind {
    FOLDER, IMAGE, DOCUMENT, ARCHIVE, AUDIO, VIDEO, OTHER;

    private static final Map<FileKind, Set<String>> EXTENSIONS = Map.of(
            IMAGE, Set.of("jpg", "jpeg", "png", "gif", "webp", "bmp", "avif", "heic", "heif", "tif", "tiff", "svg",
                    "raw", "dng", "cr2", "cr3", "nef", "arw", "orf", "ico"),
            DOCUMENT, Set.of("pdf", "doc", "docx", "odt", "rtf", "txt", "md", "csv", "tsv", "xls", "xlsx", "ods", "ppt",
                    "pptx", "odp", "pages", "numbers", "key", "epub", "json", "xml", "html", "htm", "log", "tex",
                    "vcf", "ics", "yaml", "yml", "ini", "conf"),
            ARCHIVE, Set.of("zip", "tar", "gz", "tgz", "bz2", "xz", "zst", "7z", "rar", "dmg", "iso"),
            AUDIO, Set.of("mp3", "m4a", "flac", "wav", "ogg", "oga", "opus", "aac", "wma", "aif", "aiff", "mid"),
            VIDEO, Set.of("mp4", "m4v", "mov", "avi", "mkv", "webm", "wmv", "mpg", "mpeg", "3gp", "mts", "m2ts"));

    /**
     * Images every browser shows in an {@code <img>}; not SVG, which may carry scripts, nor
     * camera formats browsers do not decode.
     */
    private static final Map<String, String> IMAGE_TYPES = Map.of(
            "jpg", "image/jpeg", "jpeg", "image/jpeg", "png", "image/png", "gif", "image/gif",
            "webp", "image/webp", "bmp", "image/bmp", "avif", "image/avif");

    /** Plain text, whatever the program that wrote it. */
    private static final Set<String> TEXT = Set.of("txt", "md", "csv", "tsv", "log", "json", "xml", "yaml", "yml",
            "ini", "conf", "cfg", "properties", "toml", "vcf", "ics", "html", "htm", "css", "js", "java", "py", "sh",
            "c", "h", "go", "rs", "sql", "tex");

    /** How the panel can show a file without downloading it. */
    public enum Preview { IMAGE, TEXT, NONE }

    /** The kind of an entry of {@code type} (a restic node type) named {@code name}. */
    public static FileKind of(String name, String type) {
        if (Entry.FOLDER.equals(type)) {
            return FOLDER;
        }
        if (!Entry.FILE.equals(type)) {
            return OTHER;
        }
        String ext = extension(name);
        for (Map.Entry<FileKind, Set<String>> e : EXTENSIONS.entrySet()) {
            if (e.getValue().contains(ext)) {
                return e.getKey();
            }
        }
        return OTHER;
    }

    /** How a file named {@code name} can be previewed. */
    public static Preview preview(String name) {
        String ext = extension(name);
        return IMAGE_TYPES.containsKey(ext) ? Preview.IMAGE : TEXT.contains(ext) ? Preview.TEXT : Preview.NONE;
    }

    /** The Content-Type a previewed file is served with. */
    static String contentType(String name) {
        return switch (preview(name)) {
            case IMAGE -> IMAGE_TYPES.get(extension(name));
            case TEXT -> "text/plain; charset=utf-8";
            case NONE -> "application/octet-stream";
        };
    }

    /** The lower-case name, as {@code data-kind} attributes and icon names use it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot <= 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
