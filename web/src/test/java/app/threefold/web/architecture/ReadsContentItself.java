package app.threefold.web.architecture;

import app.threefold.restore.ContentReader;

/** A deliberately bad panel class for {@link PanelLayerTest}: it reads file content without the engine. */
final class ReadsContentItself {

    static long size(ContentReader reader) {
        return reader.size();
    }
}
