package dev.authcode;

/** An HTTP request to send. {@code authorization} and {@code body} hold secrets: never log them. */
public final class HttpRequest {
    public final String method;
    public final String url;
    public final String contentType;
    public final String accept;
    /** The Authorization header, or null. */
    public final String authorization;
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
