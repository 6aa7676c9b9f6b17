package dev.pocketmesh.deploy;

import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;

/**
 * The image names the root pom's {@code images} profile gives the services
 * ({@code <image.repository>/<module>:<version><suffix>}, suffix {@code -cu128} under the {@code cuda} profile), so
 * the deployment files can be checked to run what the build makes, as the user the images run as
 * ({@code image.user}).
 */
record BuiltImages(String repository, String version, String cudaSuffix, long user) {

    static BuiltImages fromRootPom() {
        Path pom = ServiceConfig.repoRoot().resolve("pom.xml");
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(false);
            Document doc = factory.newDocumentBuilder().parse(pom.toFile());
            XPath xpath = XPathFactory.newInstance().newXPath();
            String version = xpath.evaluate("/project/version", doc).trim();
            String repository = xpath.evaluate("/project/profiles/profile[id='images']/properties/image.repository",
                    doc).trim();
            String suffix = xpath.evaluate("/project/profiles/profile[id='cuda']/properties/image.tag.suffix", doc)
                    .trim();
            String user = xpath.evaluate("/project/profiles/profile[id='images']/properties/image.user", doc).trim();
            if (version.isEmpty() || repository.isEmpty() || suffix.isEmpty() || !user.matches("[1-9][0-9]*")) {
                throw new IllegalStateException(pom + ": expected the project version, the images profile's "
                        + "image.repository and numeric non-root image.user, and the cuda profile's image.tag.suffix "
                        + "(got '" + version + "', '" + repository + "', '" + user + "', '" + suffix + "')");
            }
            return new BuiltImages(repository, version, suffix, Long.parseLong(user));
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + pom, e);
        }
    }

    String cpu(String module) {
        return repository + "/" + module + ":" + version;
    }

    String cuda(String module) {
        return cpu(module) + cudaSuffix;
    }
}
