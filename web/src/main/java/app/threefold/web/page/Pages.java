package app.threefold.web.page;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;

/**
 * Renders the precompiled jte templates (src/main/jte). Each template takes one model record
 * named {@code page}; jte escapes every value for its HTML context.
 */
public final class Pages {

    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    /** Renders {@code template} (e.g. "dashboard.jte") into the response as HTML. */
    public void render(Context ctx, String template, Object page) {
        ctx.contentType("text/html; charset=utf-8");
        ctx.header("Cache-Control", "no-store");
        ctx.result(fragment(template, page));
    }

    /** Renders a template to a string, for HTMX fragments and SSE events. */
    public String fragment(String template, Object page) {
        StringOutput out = new StringOutput();
        engine.render(template, page, out);
        return out.toString();
    }
}
