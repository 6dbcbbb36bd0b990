package io.github.voicecode;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The README's Java example: send a voice code with the channel config in the JSON file named on
 * the command line (e.g. one written by {@code voicecode-sim --write-configs DIR}).
 */
public final class SendExample {
    private SendExample() {
    }

    public static void main(String[] args) throws Exception {
        try (Client client = new Client(Files.readString(Path.of(args[0])))) {
            String receipt = client.sendCode("{\"to\":\"+8613800138000\",\"code\":\"4821\"}");
            System.out.println("accepted: " + receipt);
        } catch (VoiceCodeException e) {
            System.out.println(e.kind() + " (" + e.outcome() + ", vendor code " + e.vendorCode() + "): "
                    + e.getMessage());
        }
    }
}
