package dev.authcode;

/** An HTTP request to send. {@code authorization} and {@code body} hold secrets: never log them. */
public final class HttpRequest {
    /** The method, {@code "POST"}. */
    public final String method;
    /** The endpoint URL. */
    public final String url;
    /** The Content-Type header. */
    public final String contentType;
    /** The Accept header. */
    public final String accept;
    /** The Authorization header, or null. */
    public final String authorization;
    /** The body. */
    public final String body;

    HttpRequest(String[] fields) {
        this.method = fields[0];
        this.url = fields[1];
        this.contentType = fields[2];
        this.accept = fields[3];
        this.authorization = fields[4];
        this.body = fields[5];
    }
}
