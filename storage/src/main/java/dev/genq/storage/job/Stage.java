package dev.genq.storage.job;

/**
 * A stage of genq's cascade, and the kind of model that runs it: the one name for it everywhere. {@link #wire()}
 * is how cost rows, metrics and the batcher write it; {@link #modelKind()} is how a package's model.json
 * and the model catalog write the kind of model that runs it (both are stored, so both stay as they are).
 */
public enum Stage {
    /** Text to a low-resolution image. */
    BASE("base", "text-to-image"),
    /** A low-resolution image to a sharper, larger one. */
    SUPER_RESOLUTION("super_resolution", "super-resolution");

    private final String wire;
    private final String modelKind;

    Stage(String wire, String modelKind) {
        this.wire = wire;
        this.modelKind = modelKind;
    }

    public String wire() {
        return wire;
    }

    public String modelKind() {
        return modelKind;
    }

    /** @return the stage a model of this kind runs, or null for a kind genq does not know */
    public static Stage ofModelKind(String kind) {
        for (Stage s : values()) {
            if (s.modelKind.equals(kind)) {
                return s;
            }
        }
        return null;
    }
}
