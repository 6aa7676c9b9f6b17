package dev.pocketmesh.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The image-folder layout: {@code path/train/<class>/*.png|jpg|jpeg} and optionally {@code path/test/<class>/...}.
 * The classes are the sorted names of the folders in {@code train/} (label i = i-th name); {@code test/} may hold
 * only classes that {@code train/} has. Hidden entries and files of other types are skipped.
 */
public final class ImageFolderLayout {
    public static final String TRAIN = "train";
    public static final String TEST = "test";
    public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg");
    /** Side of the resized images when {@code dataset.imageSize} is not given. */
    public static final int DEFAULT_SIZE = 32;

    private ImageFolderLayout() {
    }

    /** One labelled image file. */
    public record Entry(Path file, int label) {
    }

    /** The class names: sorted subfolders of {@code path/train}. */
    public static List<String> classes(Path root) {
        Path train = root.resolve(TRAIN);
        if (!Files.isDirectory(train)) {
            throw DatasetException.path("no " + TRAIN + "/ folder in " + root
                    + " (image-folder expects train/<class>/<image>.png|jpg)");
        }
        List<String> names = list(train).stream().filter(Files::isDirectory).map(p -> p.getFileName().toString())
                .sorted().toList();
        if (names.isEmpty()) {
            throw DatasetException.path("no class folders in " + train);
        }
        return names;
    }

    /** The image files of {@code path/train}, labelled by class, each class folder checked to hold images. */
    public static List<Entry> trainImages(Path root, List<String> classes) {
        return entries(root.resolve(TRAIN), classes, true);
    }

    /** The image files of {@code path/test}, or empty when there is no test folder. */
    public static Optional<List<Entry>> testImages(Path root, List<String> classes) {
        Path test = root.resolve(TEST);
        if (!Files.isDirectory(test)) {
            return Optional.empty();
        }
        for (Path dir : list(test)) {
            if (Files.isDirectory(dir) && !classes.contains(dir.getFileName().toString())) {
                throw DatasetException.path("class folder " + dir + " has no counterpart in "
                        + root.resolve(TRAIN) + ", so its images have no label");
            }
        }
        List<String> present = classes.stream().filter(c -> Files.isDirectory(test.resolve(c))).toList();
        List<Entry> entries = new ArrayList<>();
        for (Entry e : entries(test, present, false)) {
            // Labels are positions in the train classes, not in the (possibly shorter) list of test folders.
            entries.add(new Entry(e.file(), classes.indexOf(present.get(e.label()))));
        }
        if (entries.isEmpty()) {
            throw DatasetException.path(test + " holds no .png/.jpg images; remove it or fill it");
        }
        return Optional.of(entries);
    }

    public static boolean isImage(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return !name.startsWith(".") && dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))
                && Files.isRegularFile(file);
    }

    private static List<Entry> entries(Path folder, List<String> classes, boolean everyClassNeedsImages) {
        List<Entry> entries = new ArrayList<>();
        for (int label = 0; label < classes.size(); label++) {
            Path dir = folder.resolve(classes.get(label));
            List<Path> images = list(dir).stream().filter(ImageFolderLayout::isImage).sorted().toList();
            if (images.isEmpty() && everyClassNeedsImages) {
                throw DatasetException.path("class folder " + dir + " holds no .png/.jpg images");
            }
            for (Path image : images) {
                entries.add(new Entry(image, label));
            }
        }
        return entries;
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
        } catch (IOException e) {
            throw DatasetException.path("cannot list " + dir + ": " + e.getMessage());
        }
    }
}
