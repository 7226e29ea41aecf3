package dev.tenantry.examples.todo;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Spring Security in front of the tenant filter. Every request is allowed and HTTP Basic is read when sent, so the
 * curl examples need no login; with {@code tenantry.web.require-principal-tenant=true} a request must come from a
 * principal of its tenant: the demo users {@code ada} (authority {@code TENANT_acme}) and {@code bob}
 * ({@code TENANT_globex}), whose password is {@code todo.demo-password}. A real app keeps its users elsewhere.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    @Bean
    SecurityFilterChain api(HttpSecurity http) throws Exception {
        return http.csrf(csrf -> csrf.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                .httpBasic(basic -> { })
                .build();
    }

    @Bean
    UserDetailsService demoUsers(@Value("${todo.demo-password:demo}") String password) {
        return new InMemoryUserDetailsManager(
                User.withUsername("ada").password("{noop}" + password).authorities("TENANT_acme").build(),
                User.withUsername("bob").password("{noop}" + password).authorities("TENANT_globex").build());
    }
}
