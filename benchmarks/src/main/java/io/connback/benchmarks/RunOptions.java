package io.connback.benchmarks;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of a run: {@code --name value} pairs. An unknown name is refused with the list of known ones, a
 * malformed value with the option's name, before the run starts.
 */
final class RunOptions {

    private final Map<String, String> given;

    private RunOptions(Map<String, String> given) {
        this.given = given;
    }

    /**
     * Reads the command line.
     *
     * @param args {@code --name value} pairs
     * @param known the options the run knows, with their leading {@code --}
     * @return the options given
     * @throws IllegalArgumentException if an option is unknown or has no value
     */
    static RunOptions parse(String[] args, List<String> known) {
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!known.contains(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + known);
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            given.put(args[i], args[i + 1]);
        }
        return new RunOptions(given);
    }

    /**
     * A positive whole number.
     *
     * @param option the option's name
     * @param byDefault its value if not given
     * @return the value
     * @throws IllegalArgumentException if the value given is not a positive whole number
     */
    int positive(String option, int byDefault) {
        String value = given.get(option);
        if (value == null) {
            return byDefault;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a positive whole number, not " + value);
    }

    /**
     * One word of a fixed set.
     *
     * @param option the option's name
     * @param choices the words allowed; the first is the default
     * @return the value
     * @throws IllegalArgumentException if the value given is not one of the choices
     */
    String choice(String option, List<String> choices) {
        String value = given.getOrDefault(option, choices.get(0));
        if (!choices.contains(value)) {
            throw new IllegalArgumentException(option + " needs one of " + choices + ", not " + value);
        }
        return value;
    }
}
