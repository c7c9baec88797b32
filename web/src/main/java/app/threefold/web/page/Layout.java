package app.threefold.web.page;

/**
 * What every page's frame shows: the title, who is logged in (null on login and setup pages),
 * their CSRF token for forms and HTMX, and which menu entry is current.
 */
public record Layout(String title, String user, boolean admin, String csrf, String active) {

    public static Layout anonymous(String title, String csrf) {
        return new Layout(title, null, false, csrf, "");
    }
}
