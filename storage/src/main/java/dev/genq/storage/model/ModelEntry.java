package dev.genq.storage.model;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import java.io.Serializable;
import java.time.OffsetDateTime;
import java.util.Objects;
import jakarta.persistence.Table;
import java.util.Arrays;
import java.util.List;
import dev.genq.storage.job.ImageSize;

/** A model version a worker serves, as registered in the catalog at the worker's start. */
@Entity
@Table(name = "models")
@IdClass(ModelEntry.Key.class)
public class ModelEntry extends PanacheEntityBase {
    @Id
    public String name;

    @Id
    public String version;
    public String kind;
    public int resolution;

    @Column(name = "max_steps")
    public int maxSteps;

    /** Comma-separated; see {@link #samplerList()}. */
    public String samplers;

    @Column(name = "default_steps")
    public int defaultSteps;

    @Column(name = "default_guidance_scale")
    public double defaultGuidanceScale;

    @Column(name = "default_sampler")
    public String defaultSampler;

    public String license;

    /** Whether a job may start from an image (init_image, variations); false for a latent package (no VAE encoder). */
    @Column(name = "image_inputs")
    public boolean imageInputs = true;

    /** The sizes it draws, {@link ImageSize#join} written; empty for the native square only. */
    public String sizes = "";

    /** When a worker last registered this version. */
    @Column(name = "registered_at")
    public OffsetDateTime registeredAt;

    /** The catalog's key: one row per version of a model. */
    public static class Key implements Serializable {
        public String name;
        public String version;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(name, k.name) && Objects.equals(version, k.version);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, version);
        }
    }

    /** The sizes a job may ask of this version: those it declared, or its native square. */
    public List<ImageSize> sizeList() {
        List<ImageSize> declared = ImageSize.parseList(sizes);
        return declared.isEmpty() ? List.of(ImageSize.square(resolution)) : declared;
    }

    public List<String> samplerList() {
        return Arrays.asList(samplers.split(","));
    }

    /** Adds or updates a catalog entry of a model that takes image inputs; the caller must be in a transaction. */
    public static void register(String name, String version, String kind, int resolution, int maxSteps,
                                List<String> samplers, int defaultSteps, double defaultGuidanceScale,
                                String defaultSampler, String license) {
        register(name, version, kind, resolution, maxSteps, samplers, defaultSteps, defaultGuidanceScale, defaultSampler,
                license, true);
    }

    /** Adds or updates a catalog entry; the caller must be in a transaction. */
    public static void register(String name, String version, String kind, int resolution, int maxSteps,
                                List<String> samplers, int defaultSteps, double defaultGuidanceScale,
                                String defaultSampler, String license, boolean imageInputs) {
        register(name, version, kind, resolution, maxSteps, samplers, defaultSteps, defaultGuidanceScale, defaultSampler,
                license, imageInputs, List.of(ImageSize.square(resolution)));
    }

    /** Adds or updates a catalog entry with the sizes it draws; the caller must be in a transaction. */
    public static void register(String name, String version, String kind, int resolution, int maxSteps,
                                List<String> samplers, int defaultSteps, double defaultGuidanceScale,
                                String defaultSampler, String license, boolean imageInputs, List<ImageSize> sizes) {
        getEntityManager().createNativeQuery("""
                insert into models (name, version, kind, resolution, max_steps, samplers, default_steps,
                                    default_guidance_scale, default_sampler, license, image_inputs, sizes)
                values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                on conflict (name, version) do update set kind = excluded.kind,
                    resolution = excluded.resolution, max_steps = excluded.max_steps, samplers = excluded.samplers,
                    default_steps = excluded.default_steps, default_guidance_scale = excluded.default_guidance_scale,
                    default_sampler = excluded.default_sampler, license = excluded.license,
                    image_inputs = excluded.image_inputs, sizes = excluded.sizes, registered_at = now()""")
                .setParameter(1, name).setParameter(2, version).setParameter(3, kind).setParameter(4, resolution)
                .setParameter(5, maxSteps).setParameter(6, String.join(",", samplers)).setParameter(7, defaultSteps)
                .setParameter(8, defaultGuidanceScale).setParameter(9, defaultSampler).setParameter(10, license)
                .setParameter(11, imageInputs).setParameter(12, ImageSize.join(sizes))
                .executeUpdate();
    }
}
